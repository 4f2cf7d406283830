package org.pathways.devstack;
